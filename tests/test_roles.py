from django.contrib.auth.models import Group

from revdesk.parties.choices import Role
from revdesk.testing import ROLES


def test_migrations_create_one_group_per_role(db):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(Role.labels)


def test_roles_name_every_login_of_the_world(world):
    assert tuple(world.users) == ROLES
