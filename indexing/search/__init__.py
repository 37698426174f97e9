"""The search facade: `SearchEngine` and the types its callers (bot, CLI, jobs, benchmarks) see."""
from indexing.chats import (MAX_MIN_SIZE, MAX_WINDOW_DAYS, ChatSettings, SettingError, Thresholds, min_size,
                            window_days)
from indexing.errors import (BadImageError, EmptyQueryError, ImageTooLargeError, IndexingError, NotAnImageError,
                             StorageUnavailableError, UnknownPostError)
from indexing.migration.sources import PhotoSource, PhotoUnavailable
from indexing.priority import background_priority
from indexing.reading import ReadingQueue, ReadingWorker
from indexing.moderation_records import SentAlert
from indexing.relevance import ONLY_ITSELF, TOO_FEW_POSTS, Answer
from indexing.scopes import PUBLIC
from indexing.search.duplicates import NOT_A_REPOST, Repost, Verdict, decide_duplicate
from indexing.search.engine import SearchEngine
from indexing.search.hashtags import IMAGENET_REASON, REASONS, WORD, TagSuggestion
from indexing.search.moderation import ModerationStats
from indexing.search.types import (AddResult, CaptionHit, DuplicateMatch, EngineOptions, Hit, IndexView, PhotoInput,
                                   PhotoVectors, VideoVectors)
from indexing.store import AUTOMATIC, FORWARD, Post
from indexing.post import ANIMATION, VIDEO, VIDEO_MEDIA, VIDEO_NOTE

__all__ = ["SearchEngine", "AddResult", "Answer", "CaptionHit", "ChatSettings", "DuplicateMatch", "EngineOptions",
           "Hit", "IndexView", "ModerationStats", "PhotoInput", "PhotoSource", "PhotoUnavailable", "PhotoVectors",
           "VideoVectors", "VIDEO", "ANIMATION", "VIDEO_NOTE", "VIDEO_MEDIA", "Post", "ReadingQueue", "ReadingWorker", "Repost", "SentAlert", "SettingError",
           "TagSuggestion", "Thresholds", "Verdict", "BadImageError", "EmptyQueryError", "ImageTooLargeError",
           "IndexingError", "NotAnImageError", "StorageUnavailableError", "UnknownPostError", "IMAGENET_REASON", "REASONS",
           "AUTOMATIC", "FORWARD", "MAX_MIN_SIZE", "MAX_WINDOW_DAYS", "NOT_A_REPOST", "ONLY_ITSELF", "PUBLIC",
           "TOO_FEW_POSTS", "WORD", "background_priority", "decide_duplicate", "min_size", "window_days"]
