/** The cluster suite (test/support/cluster/cluster-suite.ts) on MariaDB 3306, Redis 6379 and HAProxy. */
import { clusterSuite } from '../support/cluster/cluster-suite.js';

clusterSuite('mysql');
