"""The tickets service: tickets for sale, reserved and released by orders."""
