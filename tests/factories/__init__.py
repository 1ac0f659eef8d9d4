from .core import (
    AdvisoryBoardFactory,
    BoardMembershipFactory,
    LocalityFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)

__all__ = [
    "AdvisoryBoardFactory",
    "BoardMembershipFactory",
    "LocalityFactory",
    "OrganisationFactory",
    "OrganisationMembershipFactory",
    "UserFactory",
]
