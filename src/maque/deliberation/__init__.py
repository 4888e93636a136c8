"""联村共议 (joint deliberation, design §5): topics from party members, cadres and villagers,
sorted by 急/难/愁/盼, routed quick / joint / concerted, deliberated, answered in public."""
