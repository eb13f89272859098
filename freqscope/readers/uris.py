"""Corpus files named by URI (``s3://``, ``gs://``, ``abfs://``, ``hdfs://``, ``file://``): pyarrow's filesystems.

A corpus file is a local ``Path`` or a URI, kept as a string so that it can be stored in ``sources.path`` and
sent to a Ray worker, which opens it with its own credentials. A URI is parsed into an ``ObjectLocation``:
the filesystem is resolved once per scheme, host and options (``FileSystem.from_uri`` of the root, cached:
for S3 it may ask the bucket's region over the network) and every object under it is a path below that root.

In a URI, ``*`` and ``[...]`` are wildcards (``**`` spans folders); ``?`` starts the query, which holds
filesystem options (``s3://bucket/laion/part-*.parquet?region=us-east-1``) and is kept in every URI made from
it. Filesystem failures become one-line ``FreqscopeError``s naming the URI and what to check.
"""
from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from freqscope.errors import FreqscopeError

_URI_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# Characters left as they are in a URI's path (RFC 3986 pchar): a hive partition "year=2020" stays readable.
_PATH_SAFE = "/:@!$&'()*+,;=~"
_WILDCARDS = re.compile(r"[*\[]")
# What to check when a filesystem cannot be reached, by scheme.
_ACCESS_HINTS = {
    "s3": "AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws) and the region "
          "(AWS_REGION, or ?region=NAME on the URI)",
    "gs": "Google credentials (GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`)",
    "gcs": "Google credentials (GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`)",
    "abfs": "Azure credentials (AZURE_STORAGE_ACCOUNT_KEY, a managed identity or `az login`)",
    "abfss": "Azure credentials (AZURE_STORAGE_ACCOUNT_KEY, a managed identity or `az login`)",
    "hdfs": "the Hadoop client (JAVA_HOME, HADOOP_HOME and CLASSPATH, see pyarrow's HDFS docs)",
}
SUPPORTED_SCHEMES = "file://, s3://, gs://, abfs:// or hdfs://"


def is_uri(file: object) -> bool:
    """A string that starts with ``scheme://`` (a local path never does)."""
    return isinstance(file, str) and _URI_START.match(file) is not None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


@dataclass(frozen=True)
class ObjectLocation:
    """A URI taken apart: ``scheme://netloc/path?query``, the path unquoted and without its leading slash."""

    scheme: str
    netloc: str
    path: str
    query: str

    @classmethod
    def parse(cls, uri: str) -> ObjectLocation:
        parts = urlsplit(uri)
        return cls(parts.scheme.lower(), parts.netloc, unquote(parts.path).lstrip("/"), parts.query)

    @property
    def uri(self) -> str:
        """The normalised URI: lowercase scheme, the path quoted once, the query kept."""
        text = f"{self.scheme}://{self.netloc}/{quote(self.path, safe=_PATH_SAFE)}"
        return f"{text}?{self.query}" if self.query else text

    @property
    def name(self) -> PurePosixPath:
        """The path as a PurePosixPath: its name and suffixes say what the object holds."""
        return PurePosixPath("/" + self.path)

    def child(self, relative: str) -> ObjectLocation:
        path = f"{self.path.rstrip('/')}/{relative}" if self.path.rstrip("/") else relative
        return ObjectLocation(self.scheme, self.netloc, path, self.query)

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        """The pyarrow filesystem and this object's path in it."""
        try:
            filesystem, root = _root_filesystem(self.scheme, self.netloc, self.query)
        except pa.ArrowInvalid as error:
            if "unrecognized filesystem type" in str(error).lower():
                raise FreqscopeError(
                    f"{self.scheme}:// URIs are not read by pyarrow's filesystems ({self.uri}): use "
                    f"{SUPPORTED_SCHEMES}, or download the files and pass their paths"
                ) from None
            raise FreqscopeError(f"cannot use the URI {self.uri}: {_first_line(error)}; check its spelling and "
                                 "options") from None
        except (OSError, pa.ArrowException) as error:
            raise unreachable(self.uri, self.scheme, error) from None
        root = root.rstrip("/")
        if not self.path:
            return filesystem, root or "/"
        return filesystem, f"{root}/{self.path.rstrip('/')}"


@functools.lru_cache(maxsize=None)
def _root_filesystem(scheme: str, netloc: str, query: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem of every URI with this scheme, host and options, and the path of its root."""
    return pafs.FileSystem.from_uri(f"{scheme}://{netloc}/" + (f"?{query}" if query else ""))


def unreachable(uri: str, scheme: str, error: BaseException) -> FreqscopeError:
    hint = _ACCESS_HINTS.get(scheme, "that the storage is mounted and readable")
    return FreqscopeError(f"cannot reach {uri}: {_first_line(error)}; check the URI, the network and {hint}")


def file_info(location: ObjectLocation) -> pafs.FileInfo:
    """What the filesystem knows of the object (type, size, mtime): one metadata request, no data read."""
    filesystem, path = location.filesystem()
    try:
        return filesystem.get_file_info(path)
    except (OSError, pa.ArrowException) as error:
        raise unreachable(location.uri, location.scheme, error) from None


def require_file(location: ObjectLocation) -> pafs.FileInfo:
    """The object's FileInfo; a missing object or a folder is a FreqscopeError."""
    info = file_info(location)
    if info.type == pafs.FileType.File:
        return info
    if info.type == pafs.FileType.Directory:
        raise FreqscopeError(f"{location.uri} is a folder, not a file: name its files, a glob, or pass the folder "
                             "to index")
    raise FreqscopeError(f"no such object: {location.uri}; check the URI (and that this machine's credentials "
                         "can see it)")


def list_files(location: ObjectLocation, recursive: bool = True) -> list[str]:
    """The files below a folder, as paths relative to it ("part-0.parquet", "2024/part-1.parquet"), sorted."""
    filesystem, base = location.filesystem()
    try:
        infos = filesystem.get_file_info(pafs.FileSelector(base, recursive=recursive, allow_not_found=True))
    except (OSError, pa.ArrowException) as error:
        raise unreachable(location.uri, location.scheme, error) from None
    prefix = base.rstrip("/") + "/"
    return sorted(info.path.removeprefix(prefix) for info in infos
                  if info.type == pafs.FileType.File and info.path.startswith(prefix))


def has_wildcards(location: ObjectLocation) -> bool:
    return _WILDCARDS.search(location.path) is not None


def glob(location: ObjectLocation) -> list[ObjectLocation]:
    """The files matching a URI with wildcards: the folder above the first wildcard is listed, then matched
    segment by segment as a local glob would (``*`` stays within a segment, ``**`` spans any number of
    segments, names starting with "." are matched only by a pattern starting with ".")."""
    parts = location.path.split("/")
    fixed = next(i for i, part in enumerate(parts) if _WILDCARDS.search(part))
    base = ObjectLocation(location.scheme, location.netloc, "/".join(parts[:fixed]), location.query)
    pattern = parts[fixed:]
    recursive = len(pattern) > 1 or "**" in pattern
    return [base.child(relative) for relative in list_files(base, recursive)
            if _glob_matches(pattern, relative.split("/"))]


def _glob_matches(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_glob_matches(rest, parts[skip:]) for skip in range(len(parts) + 1)
                   if not any(part.startswith(".") for part in parts[:skip]))
    if not parts or (parts[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _glob_matches(rest, parts[1:])


def open_input_stream(location: ObjectLocation, compression: str | None) -> pa.NativeFile:
    """A sequential, decompressing byte stream over the object."""
    filesystem, path = location.filesystem()
    try:
        return filesystem.open_input_stream(path, compression=compression)
    except FileNotFoundError:
        raise FreqscopeError(f"no such object: {location.uri}; check the URI") from None
    except (OSError, pa.ArrowException) as error:
        raise unreachable(location.uri, location.scheme, error) from None


def open_input_file(location: ObjectLocation) -> pa.NativeFile:
    """A random-access handle on the object (parquet reads its footer, then only the column chunks it needs)."""
    filesystem, path = location.filesystem()
    try:
        return filesystem.open_input_file(path)
    except FileNotFoundError:
        raise FreqscopeError(f"no such object: {location.uri}; check the URI") from None
    except (OSError, pa.ArrowException) as error:
        raise unreachable(location.uri, location.scheme, error) from None


def object_fingerprint(info: pafs.FileInfo) -> str:
    """Size and modification time, from the listing: an object is not downloaded to be fingerprinted.

    pyarrow does not expose an object's ETag or version, so this is weaker than a local file's content hash:
    an object replaced by one of the same size with the same modification time is taken as unchanged.
    """
    return f"size={info.size} mtime_ns={info.mtime_ns if info.mtime_ns is not None else 'unknown'}"
