// Announcements on a consortium's job topic (topics.consortiumJobs): a job was created, or its status
// or phase changed. Lists of jobs (the jobs page, a version's work, data quality) follow this one
// topic instead of polling; progress within a phase stays on the job's own topic (jobProgress).
import { topics, type EventBus } from "../events/index.js";
import type { JobAnnouncement } from "./types.js";

/** Publishes one announcement; a failure is logged and never fails the caller (the Job row is the truth). */
export async function announceJob(bus: EventBus, announcement: JobAnnouncement): Promise<void> {
  try {
    await bus.publish(topics.consortiumJobs(announcement.consortiumId), announcement);
  } catch (error) {
    console.error(`jobs: could not announce job ${announcement.jobId} (${announcement.kind}): ${(error as Error).message}`);
  }
}
