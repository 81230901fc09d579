"""Building blocks of the MTA-STS rollout plan (`assessment.plan`): phase detection from the
evidence and findings, and the exact texts the client's IT provider publishes. All pure."""
