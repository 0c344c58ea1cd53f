// The load generator of read-api.bench.ts, in a process of its own: reading 50 connections' 250 kB
// answers costs the client CPU too, and in the bench's own process it would share an event loop
// with the study's live writes (and, before, with the server). Takes one JSON argument (autocannon's
// options: url, method, body, headers, connections, duration) and prints autocannon's result as
// one JSON line on stdout.
import autocannon from 'autocannon';
import { z } from 'zod';

const options = z
  .object({
    url: z.url(),
    method: z.enum(['GET', 'POST']),
    body: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    connections: z.number().int().min(1),
    duration: z.number().int().min(1),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const result = await autocannon(options);
process.stdout.write(
  `${JSON.stringify({
    latency: result.latency,
    requests: result.requests,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  })}\n`,
);
