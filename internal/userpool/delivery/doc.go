// Package delivery makes and checks verification codes (stored as MACs,
// with attempt and send limits), composes the messages that carry codes and
// invitations (templates and the CustomMessage trigger), records them in
// the same transaction as the change that caused them and hands them to
// the dispatcher after commit. It also answers for users that do not exist
// when a client hides user existence.
//
// It must not decide when a code is due: the users and auth areas do.
package delivery
