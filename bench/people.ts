/** What the benchmarks share: a generated directory and the secret their sessions are signed with. */
import type { DirectoryContact } from '../bff/connectors/types.js';

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-0123';

export function benchPeople(n: number): DirectoryContact[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    displayName: `First${i} Last${i}`,
    email: `person${i}@bench.example`,
    personalEmail: null,
    title: 'Engineer',
    department: `Dept ${i % 20}`,
    location: `City ${i % 10}`,
    managerId: null,
    status: 'active',
    avatarUrl: null,
  }));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
