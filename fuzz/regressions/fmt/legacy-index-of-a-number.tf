locals {
  total = 1 + 1 . 1 + 1
}
