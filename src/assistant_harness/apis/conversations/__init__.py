"""The Conversations API: conversations, their items, and responses that read and extend them."""
