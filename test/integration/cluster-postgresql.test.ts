/** The cluster suite (test/support/cluster/cluster-suite.ts) on PostgreSQL 5432, Redis 6379 and HAProxy. */
import { clusterSuite } from '../support/cluster/cluster-suite.js';

clusterSuite('postgresql');
