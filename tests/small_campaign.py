"""A three-agent, 300-number, half-hour campaign that runs in about a second, shared by the CLI tests."""

SMALL_CAMPAIGN = """\
[campaign]
n_numbers = 300
n_shifts = 1
shift_start_s = 32400
shift_length_s = 1800
[agents]
n_agents = 3
"""
