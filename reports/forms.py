from django import forms

from reports.models import DEFAULT_CONFIDENTIALITY_LINE


def _date_input():
    # A date input's value is always ISO, whatever the language of the page.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PacketForm(forms.Form):
    start = forms.DateField(label="From", widget=_date_input())
    end = forms.DateField(label="To", widget=_date_input())


class BrandingForm(forms.Form):
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="A PNG or JPEG of at most 1 MB, shown at the top of every page.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)
    confidentiality_line = forms.CharField(
        label="Confidentiality line",
        max_length=200,
        required=False,
        help_text=f"Printed at the foot of every page of client material. Leave empty for "
        f"“{DEFAULT_CONFIDENTIALITY_LINE}”",
    )
