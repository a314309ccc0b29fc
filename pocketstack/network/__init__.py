"""The Network service (Neutron v2.0): an API router mapping REST resources onto
a core plugin (ML2: type drivers, mechanism drivers, IPAM) and service plugins
(L3 routers and floating IPs, …), as neutron-server does (seed 001)."""
