"""pytest-standin: the four vendor APIs standin fakes (OpManager, ServiceOps, Password Manager
Pro, Ops Manager) as pytest fixtures, served by the standin binary this wheel carries.

Install the wheel and write tests against the ``standin`` fixture::

    def test_reads_a_password(standin):
        from pypmp import PasswordManagerProClient
        host, port = standin.url("pmp").removeprefix("https://").split(":")
        pmp = PasswordManagerProClient(host, standin.credentials("pmp")["auth_token"],
                                       port=int(port), verify=standin.verify)
        assert pmp.get_account_password(303, 307)

See docs/python.md in the standin repository for the whole API.
"""

from ._server import (
    PRODUCTS,
    ControlError,
    Instance,
    Standin,
    StandinError,
    Tenant,
    find_binary,
    load_fixtures,
)

__all__ = [
    "PRODUCTS",
    "ControlError",
    "Instance",
    "Standin",
    "StandinError",
    "Tenant",
    "find_binary",
    "load_fixtures",
]
