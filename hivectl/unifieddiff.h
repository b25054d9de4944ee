// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/repos.h"

#include <QList>
#include <QString>

namespace hive::ctl {

/// The files as a unified diff the way `git diff` prints one: a `diff --git` line, what happened
/// to the file (new, deleted, renamed), the `---`/`+++` headers (/dev/null for a side that does not
/// exist) and the hunks. Binary files get git's "Binary files ... differ" line instead.
[[nodiscard]] QString unifiedDiff(const QList<protocol::FileDiff> &files);

} // namespace hive::ctl
