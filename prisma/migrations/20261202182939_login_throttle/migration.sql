-- Login throttling (issue 12, finding 3): one row per counter instead of one row per failure, so that a
-- single INSERT … ON CONFLICT DO UPDATE … RETURNING both counts an attempt and tells whether it may go
-- ahead (atomic across parallel requests and API replicas). Keys (see apps/server/src/auth/rate-limit.ts):
--   pair:<email>|<ip>   attempts per account and address, fixed window
--   ip:<ip>             attempts per address across accounts, fixed window
--   acct:<email>        consecutive failures of an account; "nextAt" = earliest next attempt (backoff)
--   known:<email>|<ip>  an address that signed in to the account successfully ("windowStart" = when)
DROP TABLE "LoginFailure";

CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "nextAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "LoginThrottle_updatedAt_idx" ON "LoginThrottle"("updatedAt");
