"""Learned heads (issue 3): trained with Keras, served with numpy only (no TensorFlow in the bot)."""
