Feature: Unsubscribes
  SIA's unsubscribes and Salesforce's Email Opt Out are kept in step both ways when
  Unsubscribe Sync is on; re-subscribes never sync; SIA never touches Marketo's
  unsubscribed; the Marketo Unsubscribe Check asks Marketo before every send.

  Background:
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync

  @U-SF-TWO-WAY
  Scenario: An unsubscribe in SIA reaches Salesforce at once
    Given the setting "unsubscribe_sync" is on
    When "carla@acme.example" unsubscribes in SIA
    Then the Salesforce contact "carla@acme.example" has opted out of email
    When "lena@leadco.example" unsubscribes in SIA
    Then the Salesforce lead "lena@leadco.example" has opted out of email

  @U-SF-TWO-WAY
  Scenario: An opt-out set in Salesforce reaches SIA on the periodic sync
    Given the setting "unsubscribe_sync" is on
    When the Salesforce lead "lena@leadco.example" opts out of email
    And SIA runs the unsubscribe sync
    Then "lena@leadco.example" is unsubscribed in SIA
    And "carla@acme.example" is not unsubscribed in SIA

  @U-SF-TWO-WAY @S-SETTINGS
  Scenario: With Unsubscribe Sync off, nothing goes either way
    Given the setting "unsubscribe_sync" is off
    When "carla@acme.example" unsubscribes in SIA
    And the Salesforce lead "lena@leadco.example" opts out of email
    And SIA runs the unsubscribe sync
    Then the Salesforce contact "carla@acme.example" has not opted out of email
    And "lena@leadco.example" is not unsubscribed in SIA

  @U-NO-RESUBSCRIBE
  Scenario: Unchecking the opt-out in Salesforce does not re-subscribe in SIA
    Given the setting "unsubscribe_sync" is on
    And "carla@acme.example" unsubscribes in SIA
    When in Salesforce the contact "carla@acme.example" opts back in to email
    And SIA runs the unsubscribe sync
    Then "carla@acme.example" is unsubscribed in SIA

  @U-NO-RESUBSCRIBE
  Scenario: A re-subscribe in SIA does not reach Salesforce
    Given the setting "unsubscribe_sync" is on
    And "carla@acme.example" unsubscribes in SIA
    When "carla@acme.example" re-subscribes in SIA
    And SIA runs the unsubscribe sync
    Then the Salesforce contact "carla@acme.example" has opted out of email
    And "carla@acme.example" is not unsubscribed in SIA

  @U-NOT-TO-MARKETO
  Scenario: An unsubscribe in SIA never reaches Marketo
    Given the setting "unsubscribe_sync" is on
    When "carla@acme.example" unsubscribes in SIA
    And SIA runs every periodic sync
    Then the Marketo person "carla@acme.example" is not unsubscribed
    And SIA made no call that writes a person to Marketo

  @U-MARKETO-CHECK @S-SETTINGS
  Scenario: With the check on, a send to an address unsubscribed in Marketo is blocked
    Given the setting "marketo_unsubscribe_check" is on
    And the Marketo person "carla@acme.example" is unsubscribed in Marketo
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    Then the send is refused with a clear error
    And the send asked Marketo exactly once whether "carla@acme.example" is unsubscribed
    And Marketo has no "Send Sales Email" activity for "carla@acme.example"
    And Salesforce has no Task on the contact "carla@acme.example"
    And the send made no call to Salesforce
    And SIA's own record of "carla@acme.example" has no email

  @U-MARKETO-CHECK
  Scenario: With the check on, a send to a subscribed address asks once and goes
    Given the setting "marketo_unsubscribe_check" is on
    When a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    Then the send asked Marketo exactly once whether "lena@leadco.example" is unsubscribed
    And Marketo has exactly 1 "Send Sales Email" activity for "lena@leadco.example"

  @U-MARKETO-CHECK
  Scenario: With the check off, Marketo is not asked
    Given the setting "marketo_unsubscribe_check" is off
    And the Marketo person "carla@acme.example" is unsubscribed in Marketo
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    Then the send did not ask Marketo whether anyone is unsubscribed
    And Marketo has exactly 1 "Send Sales Email" activity for "carla@acme.example"

  @M-SF-SYNC @U-NOT-TO-MARKETO
  Scenario: An unsubscribe in SIA reaches Marketo only through Marketo's own Salesforce sync
    Given the setting "unsubscribe_sync" is on
    When "carla@acme.example" unsubscribes in SIA
    Then the Marketo person "carla@acme.example" is not unsubscribed
    When Marketo's Salesforce sync runs
    Then the Marketo person "carla@acme.example" is unsubscribed
    And SIA made no call that writes a person to Marketo

  @M-SF-SYNC @U-SF-TWO-WAY
  Scenario: An unsubscribe in Marketo reaches SIA through Salesforce
    Given the setting "unsubscribe_sync" is on
    When the Marketo person "lena@leadco.example" unsubscribes
    And Marketo's Salesforce sync runs
    And SIA runs the unsubscribe sync
    Then "lena@leadco.example" is unsubscribed in SIA
