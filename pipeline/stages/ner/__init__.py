"""Named entities (org, person, location): a spaCy model of our own plus rules from rules/ner/."""
