-- Hand-written (Prisma does not model storage parameters, so there is no drift).
-- Each cohort's event counter row is updated by every event writer of the cohort, hundreds of
-- times a second under a grading burst. Every update leaves a dead version on the same page (HOT),
-- and until the page is pruned every read walks that chain. With a fill factor of 10 a page is
-- pruned as soon as it holds more than ~10 % of live data, which keeps the chains short.
ALTER TABLE "cohort_event_counters" SET (fillfactor = 10);
