"""LadybugDB adapter: the embedded, zero-setup default store."""
