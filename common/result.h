// SPDX-License-Identifier: MIT
#pragma once

#include "errorcode.h"

#include <QJsonObject>
#include <QString>

#include <cassert>
#include <utility>
#include <variant>

namespace hive {

/// What went wrong: a kind, a message for a human (precise: names the file, key, parameter...)
/// and optional structured details sent to clients as `error.data`.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QJsonObject data;

    /// The same error with `context: ` put before the message.
    [[nodiscard]] Error wrapped(const QString &context) const
    {
        return Error{code, context + QStringLiteral(": ") + message, data};
    }
    friend bool operator==(const Error &, const Error &) = default;
};

/// Tag type for returning an error from a function that returns Result<T>.
struct Unexpected {
    Error error;
};

[[nodiscard]] inline Unexpected fail(ErrorCode code, QString message, QJsonObject data = {})
{
    return Unexpected{Error{code, std::move(message), std::move(data)}};
}
[[nodiscard]] inline Unexpected fail(Error error)
{
    return Unexpected{std::move(error)};
}

/// A value or an Error: the subset of std::expected's API that we use (C++20 has no expected).
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(Unexpected unexpected) : m_state(std::in_place_index<1>, std::move(unexpected.error)) {} // NOLINT

    [[nodiscard]] bool has_value() const { return m_state.index() == 0; } // NOLINT(readability-identifier-naming)
    explicit operator bool() const { return has_value(); }

    [[nodiscard]] T &value() &
    {
        assert(has_value());
        return std::get<0>(m_state);
    }
    [[nodiscard]] const T &value() const &
    {
        assert(has_value());
        return std::get<0>(m_state);
    }
    [[nodiscard]] T &&value() &&
    {
        assert(has_value());
        return std::get<0>(std::move(m_state));
    }
    [[nodiscard]] const Error &error() const
    {
        assert(!has_value());
        return std::get<1>(m_state);
    }
    [[nodiscard]] T value_or(T fallback) const // NOLINT(readability-identifier-naming)
    {
        return has_value() ? std::get<0>(m_state) : std::move(fallback);
    }

    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

private:
    std::variant<T, Error> m_state;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Unexpected unexpected) : m_error(std::move(unexpected.error)), m_failed(true) {} // NOLINT

    [[nodiscard]] bool has_value() const { return !m_failed; } // NOLINT(readability-identifier-naming)
    explicit operator bool() const { return has_value(); }
    [[nodiscard]] const Error &error() const
    {
        assert(m_failed);
        return m_error;
    }

private:
    Error m_error;
    bool m_failed = false;
};

} // namespace hive
