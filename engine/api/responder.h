// SPDX-License-Identifier: MIT
#pragma once

#include "result.h"

#include <QJsonValue>

#include <functional>
#include <memory>

namespace hive::engine {

/// Completes one call exactly once, now or later (long polls reply later). Copies share the
/// completion; calls after the first are ignored, so a handler cannot reply twice.
class Responder
{
public:
    using Done = std::function<void(const Result<QJsonValue> &)>;

    explicit Responder(Done done) : m_done(std::make_shared<Done>(std::move(done))) {}

    void operator()(const Result<QJsonValue> &result) const
    {
        if (!*m_done)
            return;
        Done done = std::exchange(*m_done, Done());
        done(result);
    }

private:
    std::shared_ptr<Done> m_done;
};

/// The typed face of a Responder for a method whose result type is R.
template<typename R>
class Reply
{
public:
    explicit Reply(Responder responder) : m_responder(std::move(responder)) {}

    void operator()(const Result<R> &result) const
    {
        if (result)
            m_responder(Result<QJsonValue>(QJsonValue(result->toJson())));
        else
            m_responder(Result<QJsonValue>(fail(result.error())));
    }

private:
    Responder m_responder;
};

} // namespace hive::engine
