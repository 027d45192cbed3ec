"""The province registry: agencies, survey rounds and which agencies take part in each round."""
