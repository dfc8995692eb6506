/** The cluster suite (src/cluster/testing/cluster-suite.ts) on PostgreSQL 5432, Redis 6379 and HAProxy. */
import { clusterSuite } from '../../src/cluster/testing/cluster-suite.js';

clusterSuite('postgresql');
