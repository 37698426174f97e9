"""Stored vectors made again by another model, in the background, while the service answers.

  captions  caption vectors for a new text model (answers go on at once: photos meet texts anyway)
  plan      at start, which image model serves: the store's, while a migration moves it to the configured one
  sources   where a stored post's photo bytes come from again (a file on disk, the bot's getFile)
  records   the migration's state, its failures and the store's image model, in Redis
  photos    the re-embedding job; switch: new heads, new indexes and the engine swapped to them
"""
