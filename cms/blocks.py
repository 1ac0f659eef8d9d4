from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class InsetTextBlock(blocks.StructBlock):
    text = blocks.TextBlock()

    class Meta:
        icon = "openquote"
        template = "cms/blocks/inset_text.html"


class WarningTextBlock(blocks.StructBlock):
    text = blocks.TextBlock()

    class Meta:
        icon = "warning"
        template = "cms/blocks/warning_text.html"


class DetailsBlock(blocks.StructBlock):
    summary = blocks.CharBlock(max_length=120)
    content = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "arrow-down"
        template = "cms/blocks/details.html"


class ContactBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    phone = blocks.CharBlock(required=False, max_length=40)
    email = blocks.EmailBlock(required=False)
    opening_hours = blocks.TextBlock(required=False)

    class Meta:
        icon = "mail"
        template = "cms/blocks/contact.html"


class LinkCardBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock()
    description = blocks.TextBlock(required=False)

    class Meta:
        icon = "link"
        template = "cms/blocks/link_card.html"


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "document-link", "ol", "ul"]


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        max_length=120, form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="cms/blocks/rich_text.html"
    )
    image = ImageBlock(template="cms/blocks/image.html")
    inset_text = InsetTextBlock()
    warning_text = WarningTextBlock()
    details = DetailsBlock()
    contact = ContactBlock()
    links = blocks.ListBlock(LinkCardBlock(), template="cms/blocks/link_list.html")
