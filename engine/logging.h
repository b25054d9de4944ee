// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QtGlobal>

namespace hive::engine {

/// The engine's Qt message handler. Under systemd with stderr connected to the journal (and libsystemd built in)
/// each message goes to journald as a structured entry (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, QT_CATEGORY,
/// CODE_FILE/CODE_LINE/CODE_FUNC); otherwise it is written to stderr as
/// "2026-11-24T15:32:26.123Z warning hive.api: message", continuation lines of a multi-line message indented by
/// four spaces so that every record starts at column 0.
class Logging
{
public:
    /// Installs the handler; messages less severe than `minimum` are dropped (QtFatalMsg never is). Calling it
    /// again (on a reload) replaces the identifier and the minimum.
    static void install(const QString &identifier, QtMsgType minimum);

    /// True when install() would send to journald: libsystemd is built in and stderrIsJournal().
    [[nodiscard]] static bool journaldAvailable();

    /// systemd's documented check: $JOURNAL_STREAM is "DEVICE:INODE" of the stream stderr is connected to.
    [[nodiscard]] static bool stderrIsJournal();

    /// "debug", "info", "warning", "error" (as in log.level); anything else is info.
    [[nodiscard]] static QtMsgType parseLevel(const QString &level);
};

} // namespace hive::engine
