from django import forms

from core.forms import NativeDateInput
from reports.models import DEFAULT_CONFIDENTIALITY_LINE


class PacketForm(forms.Form):
    start = forms.DateField(label="From", widget=NativeDateInput())
    end = forms.DateField(label="To", widget=NativeDateInput())


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
