"""allauth's forms with GOV.UK wording: labels that say what to type, no placeholders, autocomplete set."""

from django.contrib.auth.hashers import make_password

from allauth.account.forms import LoginForm, SignupForm


class SeedbedLoginForm(LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Email address"
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs["autocomplete"] = "email"
        login.widget.attrs["spellcheck"] = "false"
        password = self.fields["password"]
        password.label = "Password"
        password.help_text = ""
        password.widget.attrs.pop("placeholder", None)
        password.widget.attrs["autocomplete"] = "current-password"


class SeedbedSignupForm(SignupForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["password1"].label = "Create a password"
        self.fields[
            "password1"
        ].help_text = "At least 10 characters. A few unrelated words make a strong one."
        self.fields["password1"].widget.attrs.pop("placeholder", None)
        if "password2" in self.fields:
            self.fields["password2"].label = "Type the password again"
            self.fields["password2"].widget.attrs.pop("placeholder", None)

    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs a password hash; spend the same time on an address we already
            # know, so how long sign-up takes does not say whether someone has an account.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
