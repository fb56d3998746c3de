"""Sign-in and password forms."""

from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from airm_training.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from airm_training.core.forms import Form


class LoginForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    submit = SubmitField("Sign in")


class RequestResetForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Send me a link")


class SetPasswordForm(Form):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)],
        description=f"At least {PASSWORD_MIN_LENGTH} characters. A short phrase works well.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    submit = SubmitField("Change password")


class CodeForm(Form):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=20)],
        description="The 6-digit code your authenticator app shows now, or a recovery code.",
    )
    submit = SubmitField("Continue")


class ConfirmEnrolmentForm(Form):
    code = StringField(
        "Code from the app",
        validators=[DataRequired(), Length(max=20)],
        description="The 6-digit code the app shows after adding the account.",
    )
    submit = SubmitField("Turn on two-factor sign-in")


class DisableTwoFactorForm(Form):
    password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=20)],
        description="A code from your authenticator app, or a recovery code.",
    )
    submit = SubmitField("Turn off two-factor sign-in")


class RegenerateCodesForm(Form):
    password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    submit = SubmitField("Make new recovery codes")
