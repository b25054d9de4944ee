// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"
#include "uniquefd.h"

#include <QByteArray>
#include <QString>

#include <sys/types.h>

#include <optional>

/// An agent's root tree is written as root while container root owns it and may have planted
/// links to host paths in it: every path below it is opened relative to a directory fd and never
/// through a symlink.
namespace hive::engine {

/// Creates the missing dirs of `relative` (0755, the last one `mode`); with `owner`, what it
/// creates or sets the mode of is handed to that uid and gid.
[[nodiscard]] Result<UniqueFd> openDirAt(int parent, const QString &parentPath, const QString &relative, mode_t mode,
                                         std::optional<uid_t> owner = std::nullopt);
/// An absolute dir, created when missing, opened without following a symlink at its end.
[[nodiscard]] Result<UniqueFd> openDir(const QString &path, mode_t mode);
/// The whole of `data`, through EINTR and short writes.
[[nodiscard]] bool writeAll(int fd, const QByteArray &data);
/// Written beside and renamed over, so that whatever container root left at `name` is replaced,
/// never followed.
[[nodiscard]] Result<void> writeFileAt(int dir, const QString &dirPath, const QString &name, const QByteArray &content,
                                       mode_t mode, std::optional<uid_t> owner = std::nullopt);
/// A symlink `name` -> `target`, replacing what is there.
[[nodiscard]] Result<void> linkAt(int dir, const QString &dirPath, const QString &name, const QString &target);
/// Hands everything below `dir` to `id` (uid and gid), without following links.
[[nodiscard]] Result<void> chownTree(int dir, const QString &path, uid_t id, int depth = 0);

} // namespace hive::engine
