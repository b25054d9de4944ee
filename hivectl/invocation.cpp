// SPDX-License-Identifier: MIT
#include "invocation.h"

#include "knownengines.h"

namespace hive::ctl {

QUrl Invocation::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("wss"));
    url.setHost(host);
    url.setPort(port);
    url.setPath(QStringLiteral("/"));
    return url;
}

QString Invocation::engineKey() const
{
    return client::KnownEngines::key(host, port);
}

} // namespace hive::ctl
