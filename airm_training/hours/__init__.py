"""Hours: candidates log training and supervised hours; supervisors sign them off."""
