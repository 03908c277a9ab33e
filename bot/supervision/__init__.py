"""Starting and supervising the three processes: Rasa, the action server and the gateway."""
