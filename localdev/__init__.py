"""Local runs on kind: the README's main job and the end-to-end suite share this code."""
