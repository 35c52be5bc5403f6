from django import forms

from accounts.models import User
from clients.models import Client
from library.models import Activity


class GroupForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=120)
    description = forms.CharField(
        label="Description",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For your team only: clients never see the group or who else is in it.",
    )
    therapists = forms.ModelMultipleChoiceField(
        label="Run by",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="They see the group and can assign to it.",
    )

    def __init__(self, *args, therapists, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [user.pk for user in therapists]
        self.fields["therapists"].queryset = User.objects.filter(pk__in=ids).order_by("full_name")


class MemberAddForm(forms.Form):
    client = forms.ModelChoiceField(label="Add a client", queryset=Client.objects.none())

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients


class GroupActivityForm(forms.Form):
    activity = forms.ModelChoiceField(label="Activity", queryset=Activity.objects.none())

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities
