"""What both mocks share: store, clock, journal, faults, limits, admin API, serving."""
