"""ML2, the Modular Layer 2 core plugin: type drivers make segments,
mechanism drivers bind ports (Neutron's structure, compactly)."""
