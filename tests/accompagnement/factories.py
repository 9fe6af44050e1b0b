import factory

from accompagnement.models import Departement, Membership, Role, Structure, TypeStructure, User

CODES_LIBRES = [f"{i:02d}" for i in range(1, 96) if i not in (14, 25, 61)]


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code_insee",)

    # Un code différent à chaque appel : deux fabriques donnent deux départements distincts.
    # Les codes que les tests demandent explicitement (25, 61, 14) sont exclus.
    code_insee = factory.Sequence(lambda n: CODES_LIBRES[n % len(CODES_LIBRES)])
    nom = factory.LazyAttribute(lambda o: f"Département {o.code_insee}")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    departement = factory.SubFactory(DepartementFactory)
    type = TypeStructure.AGENCE_FT
    nom = factory.Sequence(lambda n: f"Structure {n}")
    commune = "Besançon"

    class Params:
        agence = factory.Trait(type=TypeStructure.AGENCE_FT)
        territoire = factory.Trait(type=TypeStructure.TERRITOIRE_SOCIAL)
        direction = factory.Trait(type=TypeStructure.DIRECTION_INSERTION)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pro{n}@exemple.test")
    prenom = factory.Faker("first_name", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("Mot-de-passe-de-test-1")


# Structure qu'un rôle occupe par défaut dans les fabriques.
TYPE_POUR_ROLE = {
    Role.CONSEILLER: TypeStructure.AGENCE_FT,
    Role.CONSEILLER_DEDIE: TypeStructure.AGENCE_FT,
    Role.TRAVAILLEUR_SOCIAL: TypeStructure.TERRITOIRE_SOCIAL,
    Role.CORRESPONDANT_INSERTION: TypeStructure.TERRITOIRE_SOCIAL,
    Role.ANIMATRICE: TypeStructure.DIRECTION_INSERTION,
    Role.ADMINISTRATEUR: TypeStructure.DIRECTION_INSERTION,
}


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.CONSEILLER
    structure = factory.SubFactory(
        StructureFactory,
        type=factory.LazyAttribute(lambda o: TYPE_POUR_ROLE[o.factory_parent.role]),
    )
