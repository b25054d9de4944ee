// SPDX-License-Identifier: MIT
#include "brokerclient.h"

#include "hiveclient.h"
#include "redisclient.h"

namespace hive::bench {

QString backendName(Backend backend)
{
    return backend == Backend::Hive ? QStringLiteral("hive") : QStringLiteral("redis");
}

std::optional<Backend> backendFromName(const QString &name)
{
    if (name == QLatin1String("hive"))
        return Backend::Hive;
    if (name == QLatin1String("redis"))
        return Backend::Redis;
    return std::nullopt;
}

Result<std::unique_ptr<BrokerClient>> BrokerClient::open(Backend backend, const QString &socketPath,
                                                         const QByteArray &agent)
{
    if (backend == Backend::Hive) {
        auto client = HiveClient::connect(socketPath);
        if (!client)
            return fail(client.error());
        return std::unique_ptr<BrokerClient>(std::move(*client));
    }
    auto client = RedisClient::connect(socketPath, agent);
    if (!client)
        return fail(client.error());
    return std::unique_ptr<BrokerClient>(std::move(*client));
}

} // namespace hive::bench
