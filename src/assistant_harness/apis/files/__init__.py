"""Files: uploads and the files tools create, shared by the Assistants and Responses APIs."""
