package io.pgkb.producer.internal;

import io.pgkb.schemas.Messages;
import io.pgkb.schemas.PgkbException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Why Kafka did not create a topic: a refusal that asking again cannot change (the name, the broker's topic policy,
 * the principal's ACLs, a setting the broker rejects) is the operator's to fix (exit 2, never retried); anything else
 * (a broker away, a timeout) is retried. Not enough brokers for the replication factor is retried too: during a
 * rolling restart a cluster has fewer brokers than usual for a while.
 */
final class TopicRefusal {
    private TopicRefusal() {
    }

    static PgkbException of(String topic, Throwable cause) {
        String what = "Kafka refuses to create topic " + topic + ": " + Messages.firstLine(cause);
        if (cause instanceof InvalidTopicException) {
            return new PgkbException.ConfigException(what + " (a topic name is at most 249 characters of [a-zA-Z0-9._-]:"
                    + " shorten the table's or schema's name or --topic-prefix, or leave the table out of --tables)", cause);
        }
        if (cause instanceof PolicyViolationException) {
            return new PgkbException.ConfigException(what + " (the broker's create.topic.policy: create the topic by hand"
                    + " with the settings in docs/producer.md, or allow it in the policy)", cause);
        }
        if (cause instanceof TopicAuthorizationException || cause instanceof ClusterAuthorizationException) {
            return new PgkbException.ConfigException(what + " (grant this principal CREATE on the topic prefix: the ACLs"
                    + " listed in README.md)", cause);
        }
        if (cause instanceof InvalidReplicationFactorException) { // a subclass of InvalidConfigurationException
            return retried(topic, cause);
        }
        if (cause instanceof InvalidConfigurationException || cause instanceof InvalidPartitionsException) {
            return new PgkbException.ConfigException(what + " (check --partitions and --max-message-bytes against the"
                    + " broker's limits, e.g. message.max.bytes)", cause);
        }
        return retried(topic, cause);
    }

    private static PgkbException retried(String topic, Throwable cause) {
        return new PgkbException.RetriableException("cannot create Kafka topic " + topic + ": " + cause, cause);
    }
}
