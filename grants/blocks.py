"""The building blocks an officer uses to write a fund's eligibility checker and application form.

Each application keeps a snapshot of the form it answered (the stream's raw data), so editing a
form never changes what an earlier applicant was asked. Answers are keyed by each block's id.
"""

from wagtail import blocks


class QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=200, help_text="The question, in plain words.")
    hint = blocks.TextBlock(required=False, help_text="Optional help shown under the question.")
    required = blocks.BooleanBlock(required=False, default=True)
    in_short_form = blocks.BooleanBlock(
        required=False,
        default=False,
        help_text="Also ask this in the short form for small requests.",
    )


class ShortTextBlock(QuestionBlock):
    class Meta:
        icon = "pilcrow"
        label = "Short answer"


class LongTextBlock(QuestionBlock):
    word_limit = blocks.IntegerBlock(min_value=10, default=250)

    class Meta:
        icon = "doc-full"
        label = "Long answer"


class NumberBlock(QuestionBlock):
    class Meta:
        icon = "order"
        label = "Whole number"


class YesNoBlock(QuestionBlock):
    class Meta:
        icon = "tick"
        label = "Yes or no"


class ChoiceBlock(QuestionBlock):
    options = blocks.ListBlock(blocks.CharBlock(max_length=120), min_num=2)
    multiple = blocks.BooleanBlock(required=False, default=False, help_text="Allow more than one.")

    class Meta:
        icon = "list-ul"
        label = "Choice"


class DateBlock(QuestionBlock):
    class Meta:
        icon = "date"
        label = "Date"


class ApplicationFormBlock(blocks.StreamBlock):
    short_text = ShortTextBlock()
    long_text = LongTextBlock()
    number = NumberBlock()
    yes_no = YesNoBlock()
    choice = ChoiceBlock()
    date = DateBlock()


class EligibilityQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    hint = blocks.TextBlock(required=False)
    eligible_answer = blocks.ChoiceBlock(
        choices=[("yes", "Yes"), ("no", "No")],
        default="yes",
        help_text="The answer a group must give to be eligible.",
    )
    reason_if_not = blocks.TextBlock(
        help_text="What to tell a group that gives the other answer, kindly, and why."
    )

    class Meta:
        icon = "help"
        label = "Eligibility question"


class EligibilityBlock(blocks.StreamBlock):
    question = EligibilityQuestionBlock()
