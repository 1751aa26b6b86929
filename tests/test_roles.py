from django.contrib.auth.models import Group

from revdesk.parties.choices import Role


def test_migrations_create_one_group_per_role(db):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(Role.labels)
