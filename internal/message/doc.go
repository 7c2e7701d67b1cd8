// Package message composes and delivers Cognito verification messages.
//
// It turns a code and a pool's templates into the text of a message
// (Compose, ValidateCustom), masks destinations the way Cognito shows them in
// CodeDeliveryDetails (Mask), records messages in the durable outbox
// (Enqueue, store.Tx.CreateMessage) and hands them to a Sender: the local
// outbox log (LogSender), SMTP (SMTPSender), Amazon SES (SESSender) or Amazon
// SNS (SNSSender), chosen by medium through a Router. The Dispatcher sends a
// stored message outside any transaction and records the outcome; it also
// retries failed messages in the background. OutboxHandler exposes the
// outbox over HTTP as a test hook.
//
// It must not know user-pool rules: when a message is due, which attribute
// it verifies, how the code is generated and how long it is valid are the
// domain's business (internal/userpool). It must not know the wire format of
// Cognito's API either.
package message
