package model

//go:generate go run ./gen
