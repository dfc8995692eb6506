/** Shared MQTT pieces: the `definitions.mqtt` kind, client options, topics, the publisher. */
export {
  mqttDefinitionKind,
  definitionPort,
  describeDefinition,
  definitionKey,
  type MqttDefinition,
} from './definition.js';
export { toClientOptions, type SessionOptions } from './client-options.js';
export { topicFilterProblem, topicNameProblem, topicMatches, clientIdFor, splitShared } from './topic.js';
export { MqttPublisher, type MqttQos, type PublishProperties, type PublishRequest } from './publisher.js';
export { messageHeaders } from './headers.js';
