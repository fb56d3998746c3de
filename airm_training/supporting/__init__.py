"""Supporting documents: licence copies, liability insurance, training and CE certificates
uploaded by a person (kinds from the programme file), cleaned before they are stored,
reviewed by a director (approved, or rejected with a reason), with expiry dates that
count for requirements of kind ``document`` and join the expiry reminders."""
