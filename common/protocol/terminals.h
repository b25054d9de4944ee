// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace hive::protocol {

/// Terminal sizes the engine accepts, in character cells.
inline constexpr int TerminalMinCols = 2;
inline constexpr int TerminalMaxCols = 1000;
inline constexpr int TerminalMinRows = 1;
inline constexpr int TerminalMaxRows = 1000;
/// The most bytes one terminal_input call or binary input frame may carry.
inline constexpr qsizetype TerminalMaxInputBytes = 64 * 1024;

/// Notifications of a terminal: its output (on connections that cannot carry binary frames) and
/// its end.
inline constexpr char TerminalOutputNotification[] = "terminal.output";
inline constexpr char TerminalClosedNotification[] = "terminal.closed";

/// terminal_open: a login shell as root inside a running agent's container, on a PTY of the
/// engine, tied to the calling connection.
struct TerminalOpenParams {
    QString agent;
    int cols = 80;
    int rows = 24;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalOpenParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalOpenParams &, const TerminalOpenParams &) = default;
};

/// How a terminal's bytes travel on the connection that opened it.
namespace terminaltransports {
inline constexpr char Binary[] = "binary"; ///< WebSocket binary frames (see TerminalFrame)
inline constexpr char Json[] = "json";     ///< terminal.output notifications and terminal_input calls, base64
} // namespace terminaltransports

struct TerminalOpenResult {
    qint64 terminal = 0; ///< the id, 1..2^32-1, unique while the engine runs
    QString agent;
    int cols = 0;
    int rows = 0;
    QString transport; ///< terminaltransports::Binary or Json

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalOpenResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalOpenResult &, const TerminalOpenResult &) = default;
};

/// terminal_input: bytes for the shell (base64 on the wire), for connections without binary frames.
struct TerminalInputParams {
    qint64 terminal = 0;
    QByteArray data;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalInputParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalInputParams &, const TerminalInputParams &) = default;
};

struct TerminalInputResult {
    qint64 bytes = 0; ///< how many were taken (all of them)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalInputResult> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalInputResult &, const TerminalInputResult &) = default;
};

/// terminal_resize: the new window size; the shell gets SIGWINCH.
struct TerminalResizeParams {
    qint64 terminal = 0;
    int cols = 0;
    int rows = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalResizeParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalResizeParams &, const TerminalResizeParams &) = default;
};

/// terminal_close: hangs the shell up (and kills what is left of it shortly after).
struct TerminalCloseParams {
    qint64 terminal = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalCloseParams> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalCloseParams &, const TerminalCloseParams &) = default;
};

/// The reply of terminal_resize and terminal_close: the terminal the call was about.
struct TerminalRef {
    qint64 terminal = 0;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalRef> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalRef &, const TerminalRef &) = default;
};

/// terminal.output: what the shell wrote (base64 on the wire).
struct TerminalOutput {
    qint64 terminal = 0;
    QByteArray data;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalOutput> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalOutput &, const TerminalOutput &) = default;
};

/// Why a terminal ended.
namespace terminalendings {
inline constexpr char Exited[] = "exited";                      ///< the shell ended (exit_code or signal says how)
inline constexpr char Closed[] = "closed";                      ///< terminal_close
inline constexpr char ConnectionClosed[] = "connection_closed"; ///< the client went away
inline constexpr char EngineStopping[] = "engine_stopping";
} // namespace terminalendings

/// terminal.closed: the terminal is gone; the last of its output came before this.
struct TerminalClosed {
    qint64 terminal = 0;
    QString agent;
    QString reason;              ///< terminalendings
    std::optional<int> exitCode; ///< the shell's exit status, when it exited
    std::optional<int> signal;   ///< the signal that ended the shell, when one did
    qint64 durationMs = 0;       ///< how long it was open

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<TerminalClosed> fromJson(const QJsonObject &json);
    friend bool operator==(const TerminalClosed &, const TerminalClosed &) = default;
};

/// A terminal's bytes in a WebSocket binary frame: one kind byte, the terminal id as 4 bytes
/// big-endian, then the data (any length, including none).
struct TerminalFrame {
    enum class Kind : quint8 {
        Output = 1, ///< engine to client
        Input = 2,  ///< client to engine
    };
    static constexpr qsizetype HeaderSize = 5;

    Kind kind = Kind::Output;
    quint32 terminal = 0;
    QByteArray data;

    [[nodiscard]] QByteArray encode() const;
    /// Precise errors for a short frame or an unknown kind.
    [[nodiscard]] static Result<TerminalFrame> decode(const QByteArray &frame);
};

} // namespace hive::protocol
