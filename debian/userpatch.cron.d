# userpatch: once a day, move the usage counts of past days into daily
# totals, so that what a request reads with its token stays short (see
# userpatch-admin(8), "usage fold"); keep the monthly partitions of
# positions and alerts three months ahead ("partitions"); delete audit rows
# older than 365 days, the default retention ("audit prune"). Errors go to
# standard error (mailed by cron); a configuration that is not readable yet
# is skipped.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

17 0 * * * root [ -r /etc/userpatch/userpatch.conf ] && [ -x /usr/sbin/userpatch-admin ] && userpatch-admin usage fold >/dev/null
# The change feed keeps 90 days of events (userpatch-admin(8), "events prune"),
# the webhooks 30 days of delivery attempts ("webhooks prune").
37 0 * * * root [ -r /etc/userpatch/userpatch.conf ] && [ -x /usr/sbin/userpatch-admin ] && userpatch-admin events prune --older-than 90d >/dev/null
47 0 * * * root [ -r /etc/userpatch/userpatch.conf ] && [ -x /usr/sbin/userpatch-admin ] && userpatch-admin webhooks prune --older-than 30d >/dev/null
27 0 * * * root [ -r /etc/userpatch/userpatch.conf ] && [ -x /usr/sbin/userpatch-admin ] && userpatch-admin positions partitions >/dev/null && userpatch-admin alerts partitions >/dev/null
37 0 * * * root [ -r /etc/userpatch/userpatch.conf ] && [ -x /usr/sbin/userpatch-admin ] && userpatch-admin audit prune --older-than 365d >/dev/null
